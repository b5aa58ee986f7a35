# Multi-stage build: a static binary on a distroless base, running as a non-root user.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/plume ./cmd/plume

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/plume /usr/local/bin/plume
USER nonroot:nonroot
ENV PLUME_ADDR=:8080 PLUME_LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/plume"]
CMD ["serve"]
