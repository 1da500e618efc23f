-- Local credentials, staff and their roles, the office's departments and
-- agendas, and what local logins need: throttling and the step between the
-- password and the second factor.

-- A password (argon2id, PHC string; never the password) and a TOTP second
-- factor, shared by staff and by citizens registered at the counter. After
-- `failed_logins` reaches the limit the account is locked until
-- `locked_until`; `lockouts` makes each lock longer than the last.
CREATE TABLE credentials (
    id                   TEXT PRIMARY KEY NOT NULL,
    password_hash        TEXT,
    must_change_password BIGINT NOT NULL DEFAULT 0,
    -- encrypted by the key service when it lands (issue 5)
    totp_secret          TEXT,
    -- A secret being enrolled, until a code from it proves the app has it.
    totp_pending_secret  TEXT,
    -- The last TOTP step used: a code is never accepted twice.
    totp_last_step       BIGINT,
    failed_logins        BIGINT NOT NULL DEFAULT 0,
    lockouts             BIGINT NOT NULL DEFAULT 0,
    locked_until         BIGINT,
    created_at           BIGINT NOT NULL
);

CREATE TABLE staff (
    id            TEXT PRIMARY KEY NOT NULL,
    login         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    credential_id TEXT NOT NULL REFERENCES credentials (id),
    disabled_at   BIGINT,
    created_at    BIGINT NOT NULL,
    CONSTRAINT staff_login_key UNIQUE (login)
);

CREATE TABLE staff_roles (
    staff_id   TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (staff_id, role)
);

CREATE TABLE departments (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT departments_name_key UNIQUE (name)
);

CREATE TABLE agendas (
    id            TEXT PRIMARY KEY NOT NULL,
    department_id TEXT NOT NULL REFERENCES departments (id),
    name          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    CONSTRAINT agendas_name_key UNIQUE (department_id, name)
);
CREATE INDEX agendas_department ON agendas (department_id);

-- An official's scope: whole departments, or single agendas.
CREATE TABLE staff_departments (
    staff_id      TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    department_id TEXT NOT NULL REFERENCES departments (id),
    PRIMARY KEY (staff_id, department_id)
);
CREATE TABLE staff_agendas (
    staff_id  TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    agenda_id TEXT NOT NULL REFERENCES agendas (id),
    PRIMARY KEY (staff_id, agenda_id)
);

-- A staff member's account at the office's own OpenID provider, linked by
-- an administrator.
CREATE TABLE staff_oidc_links (
    provider  TEXT NOT NULL,
    subject   TEXT NOT NULL,
    staff_id  TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX staff_oidc_links_staff ON staff_oidc_links (staff_id);

-- Failed local logins per client address, in fixed windows.
CREATE TABLE login_throttle (
    ip           TEXT PRIMARY KEY NOT NULL,
    window_start BIGINT NOT NULL,
    failures     BIGINT NOT NULL
);

-- A local login between its password and its second factor, bound to the
-- session that gave the password. `account` is `staff:<id>` or `citizen:<id>`.
CREATE TABLE pending_logins (
    session_hash TEXT PRIMARY KEY NOT NULL REFERENCES sessions (id_hash) ON DELETE CASCADE,
    account      TEXT NOT NULL,
    stage        TEXT NOT NULL,
    next_path    TEXT NOT NULL,
    expires_at   BIGINT NOT NULL
);

-- A staff session; a citizen's session has citizen_id instead, never both.
ALTER TABLE sessions ADD COLUMN staff_id TEXT REFERENCES staff (id) ON DELETE CASCADE;
CREATE INDEX sessions_staff ON sessions (staff_id);

-- The auditor's view filters the log by who and what.
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
