/*
 * seal --chat (seal(1) "CHAT", man/seal.5 TRANSPORT "Chat"): one session
 * with one peer, each line typed sealed to the peer as its own armored
 * envelope, each frame received verified before any of it is shown.
 *
 * Exit statuses: 0 both goodbyes exchanged; 6 the peer's first frame is
 * signed by a key we do not trust; 8 the peer could not be reached, did not
 * answer in time, or the connection dropped before its goodbye; 9 the
 * listener refused us; 12 a frame broke the session (seal(5) C1..C6:
 * replayed, reordered, dropped, reflected, from another session, forged);
 * 130 interrupted (SIGINT or SIGTERM; a goodbye is still sent).
 */
#ifndef SEAL_CLI_CHAT_H
#define SEAL_CLI_CHAT_H

#include <stdint.h>

#include "cli/commands.h"

/* Defaults (seal(1)). */
#define CLI_CHAT_WAIT_MS (5 * 60 * 1000) /* for the peer to connect and say HELLO */
#define CLI_CHAT_HELLO_MS (30 * 1000)    /* a connected dialer's HELLO */

/* Runs the chat O describes (o->net.to or o->net.listen; the one -r is the
 * peer's key or a trust directory; -s our key). */
int cli_chat(const struct seal_options *o);

#endif
