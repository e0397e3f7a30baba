/* cs-decoder-serve.h: the decoder helper's side of the socket
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

int cs_decoder_serve (int     socket_fd,
                      guint32 sandbox);

G_END_DECLS
