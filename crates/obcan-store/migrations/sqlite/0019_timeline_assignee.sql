-- Whom a timeline entry gave the submission to: the official taking it up,
-- or the colleague it was assigned to.
ALTER TABLE submission_events ADD COLUMN assignee TEXT;
