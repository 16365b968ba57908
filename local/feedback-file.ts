// Reads a file of reader feedback to submit: JSON lines (each line one request body, sent as written, so
// broken lines test the intake too) or CSV with a header naming bookId, text, rating and readerId.

export interface FeedbackRequest {
  /** Where it came from, for the summary: file and line. */
  source: string;
  body: string;
}

/** RFC 4180 fields: commas, quoted fields with doubled quotes, line breaks inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((value) => value !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  row.push(field);
  if (row.some((value) => value !== '')) rows.push(row);
  return rows;
}

function fromCsv(text: string, name: string): FeedbackRequest[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  const columns = header.map((column) => column.trim());
  if (!columns.includes('text')) throw new Error(`${name}: the CSV header must name a "text" column (and bookId, rating, readerId)`);
  return rows.map((row, index) => {
    const feedback: Record<string, unknown> = {};
    columns.forEach((column, position) => {
      const value = row[position];
      if (value === undefined || value === '') return;
      feedback[column] = column === 'rating' && /^\d+$/.test(value.trim()) ? Number(value) : value;
    });
    return { source: `${name}:${index + 2}`, body: JSON.stringify(feedback) };
  });
}

function fromJsonLines(text: string, name: string): FeedbackRequest[] {
  return text
    .split(/\r?\n/)
    .map((line, index) => ({ source: `${name}:${index + 1}`, body: line }))
    .filter((request) => request.body.trim() !== '');
}

export function parseFeedbackFile(text: string, name: string): FeedbackRequest[] {
  return /\.csv$/i.test(name) ? fromCsv(text, name) : fromJsonLines(text, name);
}
