package fs

import (
	"net/http"
	"path/filepath"
	"strings"
)

// dataTypes are the content types of common data files by extension. They
// come first so that receipts do not depend on the host's mime.types.
var dataTypes = map[string]string{
	".csv":     "text/csv",
	".tsv":     "text/tab-separated-values",
	".txt":     "text/plain; charset=utf-8",
	".log":     "text/plain; charset=utf-8",
	".md":      "text/markdown",
	".json":    "application/json",
	".ndjson":  "application/x-ndjson",
	".jsonl":   "application/x-ndjson",
	".xml":     "application/xml",
	".yaml":    "application/yaml",
	".yml":     "application/yaml",
	".html":    "text/html; charset=utf-8",
	".pdf":     "application/pdf",
	".png":     "image/png",
	".jpg":     "image/jpeg",
	".jpeg":    "image/jpeg",
	".gif":     "image/gif",
	".webp":    "image/webp",
	".svg":     "image/svg+xml",
	".zip":     "application/zip",
	".gz":      "application/gzip",
	".tgz":     "application/gzip",
	".zst":     "application/zstd",
	".tar":     "application/x-tar",
	".parquet": "application/vnd.apache.parquet",
	".avro":    "application/avro",
	".sql":     "application/sql",
	".xlsx":    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".xls":     "application/vnd.ms-excel",
	".docx":    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

// contentType names a file's type by its extension when it is one of
// dataTypes, else by sniffing its first bytes (net/http.DetectContentType,
// which falls back to application/octet-stream). The host's mime.types is
// not consulted, so the same file gets the same type everywhere.
func contentType(name string, head []byte) string {
	ext := strings.ToLower(filepath.Ext(name))
	if t, ok := dataTypes[ext]; ok {
		return t
	}
	return http.DetectContentType(head)
}
