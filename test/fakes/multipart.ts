/**
 * A small, tolerant multipart/form-data parser for the fake servers.
 *
 * No multipart package is installed (no busboy/multer), and Node's built-in
 * `Response.formData()` rejects grammY's wire format: grammY writes headers as
 * `content-disposition:form-data;name="x"` (no spaces) and an UNQUOTED filename
 * (`filename=my file.pdf`), see node_modules/grammy/out/core/payload.js. This
 * parser accepts both that and the RFC 7578 form (quoted values, CRLF framing).
 */

export interface MultipartField {
  name: string;
  value: string;
}

export interface MultipartFile {
  /** The part's `name` parameter (for grammY uploads: a random attach id). */
  name: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface MultipartBody {
  fields: MultipartField[];
  files: MultipartFile[];
}

/** Extracts `boundary=` from a Content-Type header, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

/** Parses `key=value; key2="value 2"` parameters of a header (after its first token). */
function headerParams(value: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = value.split(';').slice(1);
  for (const raw of parts) {
    const eq = raw.indexOf('=');
    if (eq < 0) continue;
    const key = raw.slice(0, eq).trim().toLowerCase();
    let v = raw.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\"/g, '"');
    out.set(key, v);
  }
  return out;
}

/**
 * Parses a complete multipart body. Throws on a malformed body (missing boundary
 * or a part without a Content-Disposition name), which the fakes turn into 400.
 */
export function parseMultipart(body: Buffer, boundary: string): MultipartBody {
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: MultipartField[] = [];
  const files: MultipartFile[] = [];

  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new Error('multipart body without boundary');
  for (;;) {
    pos += delimiter.length;
    // "--" right after a delimiter closes the body.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break;
    // Skip the CRLF (or bare LF) that ends the delimiter line.
    if (body[pos] === 0x0d) pos++;
    if (body[pos] === 0x0a) pos++;
    const next = body.indexOf(delimiter, pos);
    if (next < 0) throw new Error('multipart body not terminated');
    // The part ends before the CRLF that precedes the next delimiter.
    let end = next;
    if (body[end - 1] === 0x0a) end--;
    if (body[end - 1] === 0x0d) end--;
    const part = body.subarray(pos, Math.max(pos, end));

    let headerEnd = part.indexOf('\r\n\r\n');
    let sepLen = 4;
    if (headerEnd < 0) {
      headerEnd = part.indexOf('\n\n');
      sepLen = 2;
    }
    if (headerEnd < 0) throw new Error('multipart part without header separator');
    const headerText = part.subarray(0, headerEnd).toString('utf8');
    const data = Buffer.from(part.subarray(headerEnd + sepLen));

    const headers = new Map<string, string>();
    for (const line of headerText.split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const disposition = headers.get('content-disposition');
    if (!disposition) throw new Error('multipart part without content-disposition');
    const params = headerParams(disposition);
    const name = params.get('name');
    if (name === undefined) throw new Error('multipart part without a name');
    const filename = params.get('filename');
    if (filename !== undefined) {
      files.push({
        name,
        filename,
        contentType: headers.get('content-type') ?? 'application/octet-stream',
        data,
      });
    } else {
      fields.push({ name, value: data.toString('utf8') });
    }
    pos = next;
  }
  return { fields, files };
}

/** Builds an RFC 7578 multipart body (used by tests to upload like a real HTTP client). */
export function buildMultipart(
  parts: Array<{ name: string; value: string } | { name: string; filename: string; contentType?: string; data: Buffer }>,
): { body: Buffer; contentType: string } {
  const boundary = `----fake${Math.random().toString(36).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('filename' in p) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\n` +
            `Content-Type: ${p.contentType ?? 'application/octet-stream'}\r\n\r\n`,
        ),
      );
      chunks.push(p.data);
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}`));
    }
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
