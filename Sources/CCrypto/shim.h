// OpenSSL's libcrypto, for SHA-256 (Debian: libssl-dev).
#include <openssl/sha.h>
