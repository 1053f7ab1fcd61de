-- mod_hallway_storm: benchmark helper for Hallway's tests, never for real servers.
-- A message from a user to storm…@<host> makes every contact in that user's roster "come online"
-- at once: one available presence per contact, sent straight to the sender's session. It lets a
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
	local sent = 0;
	for contact in pairs(roster) do
		if contact then
			local p = st.presence({ from = contact .. "/desk", to = origin.full_jid });
			if show then p:tag("show"):text(show):up(); end
			p:tag("status"):text("In the office"):up();
			origin.send(p);
			sent = sent + 1;
		end
	end
	module:log("info", "storm: %d presences to %s", sent, origin.full_jid);
	return true;
end, 10);
