# anakinra-cds on Debian 12, in two stages: a build stage with the project's own scripts (compilers,
# -dev packages), and a runtime image with only the binary, hooks/ and the shared libraries the
# binary links (see `ldd`). Not built on the development machines (no Docker engine there);
# `docker-compose config` validates the compose file in CI.

FROM debian:bookworm AS build
WORKDIR /src
COPY . .
# scripts/setup installs the Debian packages (as root here). Only the binary is built: no tests,
# no benchmarks. `cmake --install` puts it in /opt/anakinra-cds/bin and hooks/ in
# /opt/anakinra-cds/share/anakinra-cds/hooks, where the binary looks for it (src/app/hooks_dir.h).
RUN scripts/setup \
 && cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DANAKINRA_BUILD_TESTS=OFF -DANAKINRA_BUILD_BENCH=OFF \
 && cmake --build build -j "$(nproc)" --target anakinra-cds \
 && cmake --install build --prefix /opt/anakinra-cds

FROM debian:bookworm-slim
# The libraries `ldd anakinra-cds` names beyond the base image (cpp-httplib, OpenSSL 3, SQLite,
# prometheus-cpp core, brotli), CA certificates for https fetches, curl for the health check.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcpp-httplib0.11 libssl3 libsqlite3-0 libpq5 libprometheus-cpp-core1.0 libbrotli1 \
      ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/anakinra-cds /opt/anakinra-cds
RUN /opt/anakinra-cds/bin/anakinra-cds --help >/dev/null \
 && useradd --system --home-dir /var/lib/anakinra-cds anakinra \
 && mkdir -p /var/lib/anakinra-cds && chown anakinra /var/lib/anakinra-cds
USER anakinra
WORKDIR /var/lib/anakinra-cds

# Every setting has an ANAKINRA_* variable (docs/operations.md); flags on the command line win.
ENV ANAKINRA_DATA_DIR=/var/lib/anakinra-cds
VOLUME /var/lib/anakinra-cds
EXPOSE 8080
# SIGTERM: stop accepting, finish requests in flight, close the feedback store.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/opt/anakinra-cds/bin/anakinra-cds"]
CMD ["serve", "--host", "0.0.0.0"]
