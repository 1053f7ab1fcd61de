-- mod_hallway_muc_forget: test helper for Hallway's tests, never for real servers.
-- A message from a user to forget@<host> whose body is an occupant address
-- (room@rooms.<host>/Nick) makes the room drop that occupant without a word: no unavailable
-- presence to anyone, as a room does that restarted or lost its state while our stream stayed
-- up (the rooms that "silently stop delivering"). It lets a test prove that the client finds
-- out by itself (XEP-0410 self-ping, or the room's "not-acceptable" to a message, XEP-0045
-- §7.4) and joins again.
local jid_split = require "util.jid".split;
local jid_bare = require "util.jid".bare;

module:hook("message/bare", function(event)
	local origin, stanza = event.origin, event.stanza;
	local node = jid_split(stanza.attr.to);
	if node ~= "forget" or origin.type ~= "c2s" then return; end
	local occupant_jid = stanza:get_child_text("body") or "";
	local _, room_host = jid_split(occupant_jid);
	local host = room_host and prosody.hosts[room_host];
	local muc = host and host.modules and host.modules.muc;
	local room = muc and muc.get_room_from_jid(jid_bare(occupant_jid));
	local occupant = room and room:get_occupant_by_nick(occupant_jid);
	if not occupant then
		module:log("warn", "forget: no occupant %s", occupant_jid);
		return true;
	end
	occupant.role = nil;
	room:save_occupant(occupant);
	module:log("info", "forget: %s dropped without a word", occupant_jid);
	return true;
end, 10);
