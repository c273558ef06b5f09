# anakinra-cds on Debian 12, built with the project's own scripts (scripts/setup installs the
# Debian packages as root; scripts/build compiles into build/). Not built on the development
# machines (no Docker engine there); `docker-compose config` validates the compose file in CI.
FROM debian:bookworm

WORKDIR /opt/anakinra-cds
COPY . .
RUN scripts/setup && scripts/build && rm -rf /var/lib/apt/lists/*

RUN useradd --system --home-dir /var/lib/anakinra-cds anakinra \
 && mkdir -p /var/lib/anakinra-cds && chown anakinra /var/lib/anakinra-cds
USER anakinra

# Every setting has an ANAKINRA_* variable (docs/operations.md); flags on the command line win.
ENV ANAKINRA_DATA_DIR=/var/lib/anakinra-cds
VOLUME /var/lib/anakinra-cds
EXPOSE 8080
# SIGTERM: stop accepting, finish requests in flight, close the feedback store.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
CMD ["build/anakinra-cds", "serve", "--host", "0.0.0.0"]
