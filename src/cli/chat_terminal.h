/*
 * seal --chat, the side that faces the user (seal(1) "CHAT"): reads the
 * lines typed (a terminal or a pipe), shows the peer's lines escaped,
 * prints the notes and errors, and picks the exit status. The session
 * itself (connection, handshake, frames, keys) is transport/chat_session.c.
 *
 * Exit statuses: 0 both goodbyes exchanged; 6 the peer's first frame is
 * signed by a key we do not trust; 8 the peer could not be reached, did not
 * answer in time, or the connection dropped before its goodbye; 9 the
 * listener refused us; 12 a frame broke the session (seal(5) C1..C7:
 * replayed, reordered, dropped, reflected, from another session, forged,
 * a low-order key) or the peer speaks chat version 1; 130 interrupted
 * (SIGINT or SIGTERM; a goodbye is still sent).
 */
#ifndef SEAL_CLI_CHAT_TERMINAL_H
#define SEAL_CLI_CHAT_TERMINAL_H

#include <stdint.h>

#include "cli/commands.h"

/* Defaults (seal(1)). */
#define CLI_CHAT_WAIT_MS (5 * 60 * 1000) /* for the peer to connect and say HELLO */
#define CLI_CHAT_HELLO_MS (30 * 1000)    /* a connected dialer's HELLO */

/* Runs the chat O describes (o->net.to or o->net.listen; the one -r is the
 * peer's key or a trust directory; -s our key). */
int cli_chat(const struct seal_options *o);

#endif
