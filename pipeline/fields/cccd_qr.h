/* cccd_qr.h — the QR code of a chip citizen ID card (CCCD) and its payload.
 *
 * Payload (docs/DOMAIN.md [src]): `ID|old CMND (may be empty)|Full name|DOB
 * ddmmyyyy|Sex|Address|Issue date ddmmyyyy`, seven '|'-separated parts (some cards add more after
 * them; ignored). Parsed values are in the normalised forms of models/doctypes/README.md: id
 * digits, name upper case, dates ISO 8601, sex "Nam"/"Nữ", address canonical text.
 *
 * Ownership: plain values owned by the caller. Threads: reentrant.
 */
#ifndef SOHOA_CCCD_QR_H
#define SOHOA_CCCD_QR_H

#include <stdbool.h>

#include "pipeline/base/err.h"

struct sohoa_cccd_qr {
    char id[16];       /* 12 digits */
    char old_id[16];   /* 9 or 12 digits, "" when absent */
    char name[128];    /* upper case */
    char dob[12];      /* YYYY-MM-DD */
    char sex[8];       /* "Nam" | "Nữ" | "" */
    char address[512]; /* canonical text */
    char issued[12];   /* YYYY-MM-DD */
};

/* True when `payload` is a CCCD QR payload (12-digit id, a valid date of birth); `out` then holds
 * its parts. False (and `out` zeroed) for anything else. */
bool sohoa_cccd_qr_parse(const char *payload, struct sohoa_cccd_qr *out);

/* The part named `part` ("id", "old_id", "name", "dob", "sex", "address", "issued") of a parsed
 * payload, NULL for an unknown name or an empty part. */
const char *sohoa_cccd_qr_part(const struct sohoa_cccd_qr *q, const char *part);

#endif
