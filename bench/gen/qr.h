/* qr.h — a QR code drawn as ink onto a generator page (bench/gen), through libqrencode. Built
 * without libqrencode (SOHOA_HAVE_QRENCODE undefined) it draws nothing and says so.
 *
 * Ownership: the page is the caller's. Threads: one page, one thread.
 */
#ifndef SOHOA_GEN_QR_H
#define SOHOA_GEN_QR_H

#include <stdbool.h>

#include "bench/gen/page.h"
#include "pipeline/base/err.h"

/* True when QR codes can be drawn. */
bool qr_available(void);

/* `text` (UTF-8, byte mode, error correction M) as a QR code in the square of side `size` px at
 * (x, y), quiet zone of 2 modules included, modules of whole pixels. */
int qr_draw(struct page *p, const char *text, int x, int y, int size, struct sohoa_err *err);

#endif
