-- mod_hallway_storm: benchmark helper for Hallway's tests, never for real servers.
-- A message from a user to storm…@<host> makes every contact in that user's roster "come online"
-- at once: one available presence per contact, sent straight to each of the user's sessions
-- (so a test session can trigger a storm that the app's session receives too). It lets a
-- benchmark measure how the client copes with thousands of presences in a second without
-- running thousands of real sessions.
local st = require "util.stanza";
local rostermanager = require "core.rostermanager";
local jid_split = require "util.jid".split;

module:hook("message/bare", function(event)
	local origin, stanza = event.origin, event.stanza;
	local node = jid_split(stanza.attr.to);
	if not node or node:sub(1, 5) ~= "storm" or origin.type ~= "c2s" or not origin.full_jid then return; end
	local body = stanza:get_child_text("body") or "";
	local show = body:match("^show=(%a+)") ;
	local roster = rostermanager.load_roster(origin.username, origin.host) or {};
	local user = prosody.hosts[origin.host].sessions[origin.username];
	local sent = 0;
	for _, session in pairs(user and user.sessions or {}) do
		if session.full_jid then
			for contact in pairs(roster) do
				if contact then
					local p = st.presence({ from = contact .. "/desk", to = session.full_jid });
					if show then p:tag("show"):text(show):up(); end
					p:tag("status"):text("In the office"):up();
					session.send(p);
					sent = sent + 1;
				end
			end
		end
	end
	module:log("info", "storm: %d presences to %s's sessions", sent, origin.username);
	return true;
end, 10);
