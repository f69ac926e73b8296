-- A chat handed over to a person: the bot stays silent until paused_until
-- (or a resume), and the decision is recorded with its reason.
ALTER TABLE conversations ADD COLUMN paused_until timestamptz;
ALTER TABLE conversations ADD COLUMN paused_reason text NOT NULL DEFAULT '';
