/* people.c — invented Vietnamese names, tax codes and dates, shared by the page mode and the
 * document mode of sohoa_gen. See people.h.
 */
#include "bench/gen/people.h"

#include <stdio.h>

#include <glib.h>

static const char *const SURNAMES[] = {"Nguyễn", "Trần", "Lê",    "Phạm", "Hoàng", "Huỳnh",
                                       "Phan",   "Vũ",   "Võ",    "Đặng", "Bùi",   "Đỗ",
                                       "Hồ",     "Ngô",  "Dương", "Lý"};
static const char *const MIDDLE_M[] = {"Văn", "Hữu", "Minh", "Đức", "Quốc", "Thanh", "Công"};
static const char *const MIDDLE_F[] = {"Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim"};
static const char *const GIVEN_M[] = {"An",   "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh",
                                      "Long", "Nam",  "Phong", "Quân", "Sơn", "Tuấn", "Việt"};
static const char *const GIVEN_F[] = {"Giang", "Hà",     "Hằng", "Hương", "Lan",   "Linh", "Mai",
                                      "Nga",   "Phương", "Tâm",  "Thảo",  "Trang", "Yến",  "Hoa"};
const char *const GEN_STREETS[] = {"Trần Phú",    "Lê Duẩn",        "Võ Thị Sáu", "Phạm Văn Thuận",
                                   "Hà Huy Giáp", "Nguyễn Ái Quốc", "Hùng Vương"};
const size_t GEN_N_STREETS = G_N_ELEMENTS(GEN_STREETS);

void person_name(struct rng *r, bool female, char *out, size_t n)
{
    (void)snprintf(out, n, "%s %s %s", rng_pick(r, SURNAMES, G_N_ELEMENTS(SURNAMES)),
                   female ? rng_pick(r, MIDDLE_F, G_N_ELEMENTS(MIDDLE_F))
                          : rng_pick(r, MIDDLE_M, G_N_ELEMENTS(MIDDLE_M)),
                   female ? rng_pick(r, GIVEN_F, G_N_ELEMENTS(GIVEN_F))
                          : rng_pick(r, GIVEN_M, G_N_ELEMENTS(GIVEN_M)));
}

/* A 10-digit tax code with a valid check digit (docs/DOMAIN.md: weights 31 29 23 19 17 13 7 5 3).
 */
void make_mst(struct rng *r, const char *prefix, char out[16])
{
    static const int w[9] = {31, 29, 23, 19, 17, 13, 7, 5, 3};
    for (;;) {
        (void)snprintf(out, 16, "%.2s%07d", prefix, rng_int(r, 0, 9999999));
        int sum = 0;
        for (int i = 0; i < 9; i++)
            sum += (out[i] - '0') * w[i];
        int check = 10 - sum % 11;
        if (check <= 9) {
            out[9] = (char)('0' + check);
            out[10] = '\0';
            return;
        }
    }
}

void fmt_dmy(const struct date *d, char *out, size_t n)
{
    (void)snprintf(out, n, "%02d/%02d/%04d", d->d, d->m, d->y);
}

/* "ngày 05 tháng 02 năm 2026": days below 10 and months below 3 take a leading zero. */
void fmt_long(const struct date *d, char *out, size_t n)
{
    (void)snprintf(out, n, "ngày %02d tháng %s%d năm %d", d->d, d->m < 3 ? "0" : "", d->m, d->y);
}
