-- What a local model's answer cost beyond its writing (docs/recommendations.md "Thinking and
-- context"): how long it thought before its first word, and the context (Ollama's num_ctx) it
-- was asked within; 0 when it did not think, or for providers without such a setting.
ALTER TABLE refresh_runs ADD COLUMN ai_think_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refresh_runs ADD COLUMN ai_context INTEGER NOT NULL DEFAULT 0;
