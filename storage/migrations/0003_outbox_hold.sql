-- An approval prompt carries its approval, so Meta can send it with
-- Approve / Deny buttons. Replies the tenant's policy holds back stay in the
-- outbox as 'draft' (sent only when the owner releases them) or 'recorded'
-- (observe mode: never sent).
ALTER TABLE outbox ADD COLUMN approval_id bigint REFERENCES approvals (id);
CREATE INDEX outbox_drafts ON outbox (tenant, id) WHERE state = 'draft';
