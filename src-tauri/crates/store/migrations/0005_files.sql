-- 0005: files carried by messages (XEP-0363 uploads, XEP-0066 links): the attachment as JSON
-- (url, name, size, mime, local path, status, error). An outgoing file's message waits in the
-- outbox until its upload has a URL (`$.url` set), so nothing is sent before the file exists.
ALTER TABLE messages ADD COLUMN file TEXT;
