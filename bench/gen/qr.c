/* qr.c — the generator's one user of libqrencode (see qr.h). */
#include "bench/gen/qr.h"

#ifdef SOHOA_HAVE_QRENCODE
#include <string.h>

#include <qrencode.h>
#endif

bool qr_available(void)
{
#ifdef SOHOA_HAVE_QRENCODE
    return true;
#else
    return false;
#endif
}

int qr_draw(struct page *p, const char *text, int x, int y, int size, struct sohoa_err *err)
{
#ifdef SOHOA_HAVE_QRENCODE
    QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!q)
        return sohoa_err_set(err, SOHOA_EBACKEND, false, "libqrencode cannot encode %zu bytes",
                             strlen(text));
    int mod = size / (q->width + 4);
    if (mod < 1) {
        QRcode_free(q);
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "QR code: %d px is too small", size);
    }
    int x0 = x + (size - mod * q->width) / 2, y0 = y + (size - mod * q->width) / 2;
    for (int j = 0; j < q->width; j++)
        for (int i = 0; i < q->width; i++)
            if (q->data[j * q->width + i] & 1)
                ink_rule(p, x0 + i * mod, y0 + j * mod, mod, mod);
    QRcode_free(q);
    return 0;
#else
    (void)p, (void)text, (void)x, (void)y, (void)size;
    return sohoa_err_set(err, SOHOA_ENOTFOUND, false, "built without libqrencode: no QR code");
#endif
}
