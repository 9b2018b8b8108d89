// A hoodiecrow-imap server on loopback for outreach's tests: one profile of
// capabilities and folder layout per process, its port printed on stdout.
//
// Usage: node server.js PROFILE USER PASSWORD
//   courier  INBOX. namespace ("." delimiter): INBOX.Sent Items, INBOX.Drafts;
//            no SPECIAL-USE, no IDLE, no UIDPLUS (as Courier-IMAP without extensions)
//   gmail    "/" delimiter, [Gmail]/Sent Mail and [Gmail]/Drafts marked by
//            SPECIAL-USE, IDLE and UIDPLUS
//   bare     "/" delimiter, Sent Messages and Drafts by name only; nothing
//            beyond IMAP4rev1 (no SPECIAL-USE, IDLE, UIDPLUS, MULTIAPPEND)
//   nofolders  INBOX and Archive only: neither Sent nor Drafts under any name
"use strict";

var hoodiecrow = require("hoodiecrow-imap");

var PROFILES = {
    courier: {
        plugins: ["NAMESPACE", "UNSELECT"],
        storage: {
            "INBOX": {},
            "INBOX.": {
                separator: ".",
                type: "personal",
                folders: {
                    "Sent Items": {},
                    "Drafts": {},
                    "Trash": {}
                }
            }
        }
    },
    gmail: {
        plugins: ["SPECIAL-USE", "IDLE", "UIDPLUS", "UNSELECT", "NAMESPACE"],
        storage: {
            "INBOX": {},
            "": {
                separator: "/",
                folders: {
                    "[Gmail]": {
                        flags: ["\\Noselect"],
                        folders: {
                            "All Mail": {"special-use": "\\All"},
                            "Drafts": {"special-use": "\\Drafts"},
                            "Sent Mail": {"special-use": "\\Sent"},
                            "Trash": {"special-use": "\\Trash"}
                        }
                    }
                }
            }
        }
    },
    bare: {
        plugins: [],
        storage: {
            "INBOX": {},
            "": {
                separator: "/",
                folders: {
                    "Sent Messages": {},
                    "Drafts": {}
                }
            }
        }
    }
};

PROFILES.nofolders = {
    plugins: [],
    storage: {"INBOX": {}, "": {separator: "/", folders: {"Archive": {}}}}
};

var profile = PROFILES[process.argv[2]];
if (!profile || process.argv.length !== 5) {
    process.stderr.write("usage: node server.js courier|gmail|bare|nofolders USER PASSWORD\n");
    process.exit(2);
}
var users = {};
users[process.argv[3]] = {password: process.argv[4]};

var server = hoodiecrow({
    plugins: profile.plugins,
    storage: profile.storage,
    users: users
});
// Port 0: the system picks a free one, so several servers never collide.
server.server.listen(0, "127.0.0.1", function() {
    process.stdout.write("listening " + server.server.address().port + "\n");
});
process.on("SIGTERM", function() {
    process.exit(0);
});
