// OpenSSL's libcrypto (Debian: libssl-dev): SHA-256 of truncated DLQ payloads, MD5 and SHA-256 for S3.
#include <openssl/sha.h>
#include <openssl/evp.h>
