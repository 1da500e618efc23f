-- The key by which forms name the agenda that receives their submissions
-- (a form's `agenda`): its submissions come to that agenda's queue. Agendas
-- made before keep none until an administrator gives one.
ALTER TABLE agendas ADD COLUMN form_key TEXT;
CREATE UNIQUE INDEX agendas_form_key ON agendas (form_key);
