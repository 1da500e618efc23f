-- What a citizen needs to recognise their sessions (where from, which
-- browser), what logging out at the identity provider needs (its session's
-- reference: a SAML NameID and SessionIndex, an OpenID ID token), and what a
-- login attempt is for: a new session, or linking another means to an account.

ALTER TABLE sessions ADD COLUMN ip TEXT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN provider_logout TEXT;

ALTER TABLE login_attempts ADD COLUMN link_to TEXT;
