/* version.h — sohoa's version and the versions of the libraries it runs on (for records). */
#ifndef SOHOA_VERSION_H
#define SOHOA_VERSION_H

#include <stddef.h>

#define SOHOA_VERSION  "0.1.0"
#define SOHOA_PRODUCER "sohoa " SOHOA_VERSION

/* Fills up to n-1 static strings ("sohoa 0.1.0", "tesseract 5.3.0", …) and a NULL. */
void sohoa_versions(const char **out, size_t n);

#endif
