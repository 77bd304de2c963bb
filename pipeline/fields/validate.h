/* validate.h — checks on the identifiers, dates and numbers read from Vietnamese documents.
 *
 * Pure logic, no I/O: citizen ID (CCCD, and the old 9-digit CMND), tax code (MST), dates as
 * written on documents, dossier receipt numbers and procedure codes, official document numbers
 * ("Số: 15/QĐ-BNV"). The rules and their sources are in docs/DOMAIN.md.
 *
 * Every validator works the same way:
 *   1. the input is brought to canonical form (vn_normalize) and trimmed;
 *   2. where the field can only hold a digit, OCR confusions are repaired: O o → 0, I l | → 1
 *      (the digit pairs of Tesseract's vie unicharambigs; S/5, B/8, Z/2 are not among them and are
 *      not touched). Every repair is recorded as a warning naming the character and its position;
 *   3. grouping is dropped where the field has none (spaces and dots in "0011 6902 0213");
 *   4. the value is checked and written in its normalised form.
 * Each finding is a struct sohoa_check: a stable machine code ("cccd.province_unknown"), a
 * severity, and a message in Vietnamese and in English. When nothing is found, the result holds
 * exactly one PASS check ("cccd.ok") whose message says what the value means; otherwise it holds
 * no PASS check. Positions in messages count characters of the canonical input from 1.
 *
 * Severity (docs/DOMAIN.md): soft rules — facts marked [?] and cross-checks with other fields (CCCD
 * province, century/sex digit, birth year) — give warnings, never errors. Errors: the input does
 * not have the field's shape (wrong length, letters in a number), a wrong MST check digit, a date
 * that does not exist or lies in the future.
 *
 * Return values: 0 whenever the check ran, whatever it found (the verdict is in the result);
 * SOHOA_EINVAL for a NULL argument, SOHOA_ENOMEM when memory ran out. Results are zeroed on entry.
 *
 * Ownership: every struct here is a plain value owned by the caller, no heap memory inside;
 * inputs are only read. Threads: all functions are reentrant (NULL `today` reads the clock).
 */
#ifndef SOHOA_VALIDATE_H
#define SOHOA_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "pipeline/base/check.h"
#include "pipeline/base/date.h"
#include "pipeline/base/err.h"

/* Inputs longer than this many bytes are no identifier or date: reported as "<field>.too_long". */
#define SOHOA_VALIDATE_INPUT_MAX 256

#define SOHOA_CHECKS_MAX 8
#define SOHOA_VALUE_MAX  96

/* The result of one validator. */
struct sohoa_validation {
    /* Normalised value ("001169020213", "0100233488-001", "2020-01-05", "1969",
     * "000.00.00.H30-261129-0001", "15/QĐ-BNV"), set whenever the input has the field's shape,
     * even when a check on it failed (wrong check digit, future date); "" when it has not. */
    char value[SOHOA_VALUE_MAX];
    enum sohoa_check_severity severity;          /* the worst severity in checks[] */
    int repairs;                                 /* characters changed by OCR-confusion repair */
    size_t n_checks;                             /* 1..SOHOA_CHECKS_MAX once a validator has run */
    struct sohoa_check checks[SOHOA_CHECKS_MAX]; /* in the order found */
};

enum sohoa_sex { SOHOA_SEX_UNKNOWN = 0, SOHOA_SEX_MALE, SOHOA_SEX_FEMALE };

/* What other fields of the same document say about the holder of a CCCD; 0 / UNKNOWN = not known.
 */
struct sohoa_cccd_hint {
    int birth_year;
    enum sohoa_sex sex;
};

/* An official document number split into its parts (Decree 30/2020 Annex I). */
struct sohoa_docnum {
    char number[16]; /* "15" (as written, leading zeros kept) */
    char year[8];    /* "2020" in "59/2020/QH14", else "" */
    char symbol[64]; /* "QĐ-BNV", "QH14" (UTF-8, at most 30 characters) */
};

/* ---- results ------------------------------------------------------------------------------- */

/* The first check of the worst severity (the one to show when only one is shown); NULL when
 * `v` holds no check. */
const struct sohoa_check *sohoa_validation_worst(const struct sohoa_validation *v);

/* True when `v` holds a check with this code. */
bool sohoa_validation_has(const struct sohoa_validation *v, const char *code);

/* ---- OCR digit repair ------------------------------------------------------------------------ */

/* Free text → the same text with O o → 0 and I l | → 1 wherever they stand in a number: a chain
 * of runs of digits and such letters, joined by single / . - , that holds at least one real digit
 * and touches no other letter ("2O2O" → "2020", "l5/QĐ" → "15/QĐ", "Ol/O1/2O2O" → "01/01/2020";
 * "Ol" alone, "H3O", "QH14", "COVID-19", "Điều I" stay). Meant for text that should hold numbers:
 * in prose a unit glued to a number is taken for digits ("1.5l" → "1.51"). Every other byte is
 * copied as it is; `raw` should be canonical text (vn_normalize). `out` receives at most `n`
 * bytes, NUL included, and must hold strlen(raw) + 1 (else SOHOA_EINVAL, `out` empty).
 * `*repairs` (may be NULL) receives the count. */
int sohoa_digits_repair(const char *raw, char *out, size_t n, int *repairs, struct sohoa_err *err);

/* ---- identifiers ----------------------------------------------------------------------------- */

/* Citizen ID: 12 digits PPP G YY NNNNNN (CCCD, and the 12-digit CMND), or a 9-digit old CMND.
 * Value: the digits, grouping removed. Errors: anything but digits (after repair), another
 * length. Warnings: unknown province code, century/sex digit 6–9, birth year in the future, and —
 * when `hint` (may be NULL) gives them — birth year or sex different from what the number says. */
int sohoa_cccd_validate(const char *raw, const struct sohoa_cccd_hint *hint,
                        const struct sohoa_ymd *today, struct sohoa_validation *out,
                        struct sohoa_err *err);

/* Province name of a CCCD prefix ("001" → "Hà Nội", canonical form), NULL when the 63-province
 * list of docs/DOMAIN.md has no such code. The list is models/provinces.json (kept equal by a
 * test). */
const char *sohoa_cccd_province_name(const char *prefix3);

/* "Nam", "nữ", "NU", "male", "Female" (any case, with or without diacritics, trimmed) → sex;
 * SOHOA_SEX_UNKNOWN for anything else and NULL. */
enum sohoa_sex sohoa_sex_parse(const char *text);

/* Tax / enterprise code: 10 digits, or a branch written XXXXXXXXXX-NNN (13 digits, the dash
 * optional in the input; spaces, dots and dashes are grouping). Value: "0100233488" or
 * "0100233488-001". Errors: wrong length, letters, sequence 0000000, branch 000, wrong check digit
 * (weights 31 29 23 19 17 13 7 5 3, check = 10 − sum mod 11, 10 = no valid code). 12 digits
 * written without a dash give a warning ("mst.personal_id"), not an error: since 1 July 2025 an
 * individual's tax code is their 12-digit personal ID (Circular 86/2024/TT-BTC [src, not in
 * docs/DOMAIN.md]; no check digit); with a dash they are a branch code short of a digit (error). */
int sohoa_mst_validate(const char *raw, struct sohoa_validation *out, struct sohoa_err *err);

/* ---- dates ----------------------------------------------------------------------------------- */

/* Date as written on a document → ISO 8601. Accepted (any case, with or without diacritics):
 *   "05/01/2020", "5/1/2020", "05-01-2020", "05.01.2020"   (day, month, 4-digit year; one
 *                                                           separator kind throughout)
 *   "2020-01-05", "2020/1/5"                                (ISO order, 4-digit year first)
 *   "ngày 05 tháng 01 năm 2020", "Hà Nội, ngày 5 tháng 1 năm 2020", "sinh ngày 05/01/1969"
 *   "Sinh năm 1969", "năm 1969", "1969"                    (year only → "1969")
 * with a trailing '.', ',' or ';' allowed. Value: "YYYY-MM-DD" or "YYYY". Errors: no such form
 * ("date.format"), no such day ("date.invalid": 31/02, 0/13), after `today` ("date.future"; NULL =
 * the current local date). Warning: before 1900 ("date.before_1900"). `date` (may be NULL)
 * receives the parsed date whenever the value is set, else zeros. */
int sohoa_date_parse(const char *raw, const struct sohoa_ymd *today, struct sohoa_ymd *date,
                     struct sohoa_validation *out, struct sohoa_err *err);

/* ---- dossier and document numbers --------------------------------------------------------------
 */

/* Dossier receipt number (Circular 01/2018/TT-VPCP art. 19): V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX,
 * e.g. "000.00.00.H30-261129-0001": receiving unit, receipt date (20YY), the day's sequence.
 * Spaces are dropped, dash look-alikes (– — −) read as '-', ',' as '.' (recorded), the unit letter
 * upper-cased. Errors: another shape, a receipt date that does not exist or is after `today`.
 * Warning: sequence 0000. */
int sohoa_receipt_validate(const char *raw, const struct sohoa_ymd *today,
                           struct sohoa_validation *out, struct sohoa_err *err);

/* Procedure code: "1.011442" (national code) or "1.011442.000.00.00.H38" (with the unit code of
 * the receipt number). Format check only; error for another shape. */
int sohoa_procedure_code_validate(const char *raw, struct sohoa_validation *out,
                                  struct sohoa_err *err);

/* Official document number: optional "Số:" / "Số" label, then number "/" [year "/"] symbol, the
 * symbol's parts joined by '-' ("15/QĐ-BNV", "59/2020/QH14", "123/UBND-VP"). Spaces and a
 * trailing '.', ',' or ';' are dropped;
 * "QD" and "ND" parts (no such abbreviations; OCR lost the stroke of Đ) become "QĐ", "NĐ"
 * (recorded, warning). Value: "15/QĐ-BNV". Errors: another shape, a number of more than 11
 * characters or a symbol of more than 30 (Decree 30/2020 Annex VI field sizes). `doc` (may be
 * NULL) receives the parts whenever the value is set, else empty strings. */
int sohoa_docnum_parse(const char *raw, struct sohoa_docnum *doc, struct sohoa_validation *out,
                       struct sohoa_err *err);

#endif
