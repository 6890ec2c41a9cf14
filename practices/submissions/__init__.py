import os

# polars allocates through jemalloc, which by default keeps freed pages for a while; returning
# them at once keeps the peak memory of a large import close to the data it really holds
# (docs/performance.md). Read by the allocator when polars first loads, which is later.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
