import { json } from "@remix-run/node";

const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);

/**
 * An admin action's form body. The admin pages submit forms only, so any other body —
 * JSON, text, a multipart body that does not parse — is the caller's mistake: a thrown
 * 400 with a message (Remix sends a thrown Response as the answer), never a 500 from
 * request.formData(). A POST with no body at all is an empty form.
 */
export async function readForm(request: Request): Promise<FormData> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (!type) {
    const raw = await request.text();
    if (raw === "") return new FormData();
    throw json({ error: "Send the form as application/x-www-form-urlencoded or multipart/form-data (no Content-Type given)" }, { status: 400 });
  }
  if (!FORM_TYPES.has(type)) {
    throw json({ error: `Send the form as application/x-www-form-urlencoded or multipart/form-data, not ${type.slice(0, 100)}` }, { status: 400 });
  }
  try {
    return await request.formData();
  } catch {
    throw json({ error: `The ${type} body could not be read as a form` }, { status: 400 });
  }
}
