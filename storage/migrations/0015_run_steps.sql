-- A run's trace: every round with the model and every tool call in it
-- (name, arguments with numbers masked, result size, latency, error).
ALTER TABLE runs ADD COLUMN steps jsonb;
