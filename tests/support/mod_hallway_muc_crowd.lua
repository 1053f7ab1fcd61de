-- mod_hallway_muc_crowd: benchmark helper for Hallway's tests, never for real servers.
-- A message from a user to crowd@<host> with the body "room@rooms.<host> N" fills that room
-- (which must have an occupant already) with N more occupants, "Colleague 0001" and on, each
-- with a presence of their own (some away, all with a status text), as if N people sat in it.
-- Their real addresses have no sessions: presences to them go nowhere. Whoever joins next gets
-- the room's real occupant list from the MUC code (XEP-0045 §7.2.3), N presences in a burst,
-- without running N clients. Nothing may be said in such a room: the room would send it to
-- the absent sessions.
local st = require "util.stanza";
local jid_split = require "util.jid".split;
local jid_bare = require "util.jid".bare;

module:hook("message/bare", function(event)
	local origin, stanza = event.origin, event.stanza;
	local node = jid_split(stanza.attr.to);
	if node ~= "crowd" or origin.type ~= "c2s" then return; end
	local body = stanza:get_child_text("body") or "";
	local room_jid, count = body:match("^(%S+)%s+(%d+)$");
	local _, room_host = jid_split(room_jid or "");
	local host = room_host and prosody.hosts[room_host];
	local muc = host and host.modules and host.modules.muc;
	local room = muc and muc.get_room_from_jid(room_jid);
	-- The occupant type is the MUC's own (its metatable), taken from someone in the room.
	local occupant_mt;
	if room then
		for _, o in room:each_occupant() do
			occupant_mt = getmetatable(o);
			break;
		end
	end
	if not occupant_mt then
		module:log("warn", "crowd: no room %s with an occupant", tostring(room_jid));
		return true;
	end
	local added = 0;
	for i = 1, tonumber(count) do
		local nick = string.format("%s/Colleague %04d", room_jid, i);
		if not room:get_occupant_by_nick(nick) then
			local real = string.format("crowd%d@%s/desk", i, origin.host);
			local occupant = setmetatable({
				bare_jid = jid_bare(real), nick = nick, sessions = {}, role = "participant", jid = nil;
			}, occupant_mt);
			local p = st.presence({ from = real });
			if i % 3 == 0 then p:tag("show"):text("away"):up(); end
			p:tag("status"):text("Working on the quarterly figures"):up();
			occupant:set_session(real, p, true);
			room:save_occupant(occupant);
			added = added + 1;
		end
	end
	module:log("info", "crowd: %d occupants added to %s", added, room_jid);
	return true;
end, 10);
