-- Meta's 24-hour customer-service window, per chat: when the person last
-- wrote. The sender sends free-form text only within 24 hours of it.
ALTER TABLE conversations ADD COLUMN last_inbound_at timestamptz;

-- Chats that wrote before this column existed keep their window.
UPDATE conversations c SET last_inbound_at = e.last_at
  FROM (SELECT tenant, chat, max(received_at) AS last_at FROM events
         WHERE kind = 'message' AND state <> 'ignored' GROUP BY tenant, chat) e
 WHERE e.tenant = c.tenant AND e.chat = c.chat;
