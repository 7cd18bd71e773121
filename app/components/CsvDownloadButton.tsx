import { useState } from "react";
import { Button, InlineStack, Text } from "@shopify/polaris";

export interface CsvDownloadButtonProps {
  /** Same-origin CSV URL (the embedded admin's fetch adds the session token). */
  href: string;
  filename: string;
  children: string;
}

/**
 * Downloads a CSV through fetch rather than a plain link: inside Shopify admin the app's
 * requests are authenticated by a session token that only fetch carries (App Bridge adds
 * it), a top-level link would arrive without one.
 */
export function CsvDownloadButton({ href, filename, children }: CsvDownloadButtonProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(href, { headers: { Accept: "text/csv" } });
      if (!res.ok) {
        const body = await res.json().catch(() => null);
        throw new Error(body?.error ?? `download failed (${res.status})`);
      }
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <InlineStack gap="200" blockAlign="center">
      <Button onClick={download} loading={busy} accessibilityLabel={`${children} (CSV)`}>
        {children}
      </Button>
      {error ? (
        <Text as="span" tone="critical">
          {error}
        </Text>
      ) : null}
    </InlineStack>
  );
}
