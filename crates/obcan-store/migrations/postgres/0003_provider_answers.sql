-- A SAML identity provider answers with a cross-site POST, which carries no
-- SameSite cookie and so cannot be tied to the session that started the
-- login. The answer is kept here, still encrypted as it came, until the
-- browser's next, same-site request finishes the login in that session.

ALTER TABLE login_attempts ADD COLUMN provider_answer TEXT;
