# Sagarr: one static binary on scratch.
# Build: docker build -t sagarr .   Run: see compose.yaml and docs/setup.md.

# --- build: a static musl binary, dependencies cached in their own layer ---------------------
FROM rust:1.95-alpine AS build
RUN apk add --no-cache musl-dev tzdata
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
RUN mkdir -p src benches \
    && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && for b in nightly dashboard load; do echo 'fn main() {}' > benches/$b.rs; done \
    && cargo build --release --locked \
    && rm -rf src benches
COPY src src
COPY templates templates
COPY static static
COPY migrations migrations
COPY benches benches
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin sagarr \
    && mkdir -p /out/app/data /out/tmp && chmod 1777 /out/tmp && chown 65532:65532 /out/app/data

# --- run: the binary, time-zone data, nothing else ------------------------------------------
# TLS roots are compiled in (webpki-roots), so no CA bundle is needed.
FROM scratch
COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /out/ /
COPY --from=build /src/target/release/sagarr /usr/local/bin/sagarr
ENV SAGARR_BIND=0.0.0.0:7979 \
    SAGARR_DATA_DIR=/app/data \
    TZ=UTC
WORKDIR /app
VOLUME ["/app/data"]
EXPOSE 7979
# Any uid works (Saltbox runs it as PUID:PGID); this one is only the default.
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/sagarr", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/sagarr"]
CMD ["serve"]
