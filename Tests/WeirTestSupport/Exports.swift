// The seeded PRNG the tests share is the one `weir produce` uses (one definition, in SeededRandom).
@_exported import SeededRandom
