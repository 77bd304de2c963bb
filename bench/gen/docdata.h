/* docdata.h — the fictional facts one rendered document is about (bench/gen document mode):
 * a person with a citizen ID consistent with their date of birth and sex, an old CMND, places
 * from the real province list (models/provinces.json, through pipeline/fields/validate.h), a
 * company with a valid tax code, a land parcel, an official decision, a dossier receipt.
 *
 * Every text is in sohoa's canonical form (vn_normalize: NFC, new-style tone placement), so the
 * image and the ground truth hold the same characters. Dates are real calendar dates no later
 * than DOCDATA_LATEST (no date is in the future; only a card's expiry and a receipt's
 * appointment date, which are future by nature, may follow it).
 *
 * Ownership: struct docdata is a plain value owned by the caller. Threads: reentrant.
 */
#ifndef SOHOA_GEN_DOCDATA_H
#define SOHOA_GEN_DOCDATA_H

#include <stdbool.h>
#include <stdint.h>

#include "bench/gen/people.h"
#include "pipeline/base/err.h"

#define DOCDATA_LATEST_Y 2025 /* the latest date drawn: 2025-12-31 */

struct docperson {
    char name[96];  /* "Nguyễn Văn An" */
    char upper[96]; /* "NGUYỄN VĂN AN" */
    bool female;
    struct date born;
};

struct docdata {
    struct docperson p; /* the holder / applicant */
    char cccd[16];      /* 12 digits, province of birth registration, century/sex, year */
    char cmnd[16];      /* 9 digits */
    char phone[16];     /* 10 digits */
    struct date cccd_issued, cccd_expiry;
    char birth_prov_code[4];              /* "001" */
    char province[64], province_line[96]; /* "Đồng Nai", "tỉnh Đồng Nai" */
    char province_upper[96];              /* "TỈNH ĐỒNG NAI" */
    char district[64], district_line[96]; /* "Long Thành", "huyện Long Thành" */
    char origin_short[192],
        residence_short[192]; /* card forms: "Tân Phong, Long Thành, Đồng Nai" */
    char origin_long[256], residence_long[256]; /* "xã Tân Phong, huyện Long Thành, tỉnh …" */
    char place[96]; /* the place of the place-and-date line: "Đồng Nai", "Thành phố Hà Nội" */
    /* birth certificate */
    struct docperson child, father, mother;
    char birth_reg_no[32], birth_book[16], birth_place[192];
    struct date birth_registered;
    /* business registration */
    char mst[16], company[192], company_en[192], company_addr[256];
    struct date company_first, company_changed;
    /* land-use certificate */
    char serial[16], register_no[16], area_print[24], area_norm[24], parcel_addr[256];
    int parcel, map_sheet;
    struct date land_issued;
    /* official document */
    char doc_kind[32], doc_symbol[16], doc_number[48], issuing_l1[96], issuing_l2[96];
    char issuing_body[192], subject[192], signer[96];
    struct date doc_date;
    /* application form */
    char form_title[160], form_to[160];
    struct date signed_date;
    /* dossier receipt */
    char receipt[48], procedure[192], centre[160];
    struct date received, appointment;
    int received_hour, received_min;
};

/* The facts of document `index` of a run with `seed`. Fails (SOHOA_EBACKEND) only if a drawn
 * identifier does not pass sohoa's own validators, which would be a bug here. */
int docdata_make(uint64_t seed, uint64_t index, struct docdata *out, struct sohoa_err *err);

/* "05/03/2024" → ISO "2024-03-05" into out[11]. */
void date_iso(const struct date *d, char out[16]);

#endif
