import { useEffect, useRef, useState } from "react";
import { useFetcher } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, Checkbox, InlineStack, List, Text } from "@shopify/polaris";
import type { SyncView } from "../../services/audiences/sync.server";
import type { TaggableView } from "../../services/audiences/audiences.server";
import type { AutoSyncStatus } from "../../services/audiences/auto-sync.server";
import { int } from "../insights/format";

export type SyncActionData = { sync: SyncView; busy: boolean; retry: boolean } | { error: string };

const TONE = { done: "success", failed: "critical", running: "attention" } as const;

/**
 * Optional sync to Shopify customer tags. Without the write_customers scope it explains
 * why the scope is needed and offers to request it. A run works in slices of a few
 * seconds; while its status is "running" the card asks for the next slice by itself.
 */
export function SyncCard(props: {
  tag: string;
  segmentQuery: string;
  canSync: boolean;
  lastSync: SyncView | null;
  identifiedCustomers: number;
  taggable: TaggableView;
  autoSync: AutoSyncStatus | null;
}) {
  const fetcher = useFetcher<SyncActionData>();
  const scopeFetcher = useFetcher<{ error?: string }>();
  const rounds = useRef(0);
  const retried = useRef(false);
  const [stopped, setStopped] = useState(false);
  const data = fetcher.data;
  const sync = data && "sync" in data ? data.sync : props.lastSync;
  const error = data && "error" in data ? data.error : null;
  const working = fetcher.state !== "idle" || (sync?.status === "running" && data !== undefined && !stopped);

  useEffect(() => {
    if (fetcher.state !== "idle" || !data || !("sync" in data) || stopped) return;
    const again = data.sync.status === "running" || (data.retry && !retried.current);
    if (data.retry) retried.current = true;
    if (!again || rounds.current >= 200) return;
    rounds.current++;
    // A busy run (another tab) is polled gently; our own slices follow at once.
    const timer = setTimeout(() => fetcher.submit({ intent: "sync" }, { method: "post" }), data.busy ? 2000 : 50);
    return () => clearTimeout(timer);
  }, [fetcher, data, stopped]);

  const start = () => {
    rounds.current = 0;
    retried.current = false;
    setStopped(false);
    fetcher.submit({ intent: "sync" }, { method: "post" });
  };

  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Sync to Shopify customer tags
          </Text>
          {sync ? <Badge tone={TONE[sync.status]}>{sync.status}</Badge> : null}
        </InlineStack>
        <Text as="p">
          Tags the audience’s identified customers with <code>{props.tag}</code> and removes the tag from customers who left the audience since the last sync.
          Re-running tags nobody twice; an interrupted run continues where it stopped.
        </Text>
        <TaggableLine t={props.taggable} />
        {!props.canSync ? (
          <Banner tone="info" title="Permission needed: edit customers (write_customers)">
            <BlockStack gap="200">
              <p>
                Tagging customers needs the optional <code>write_customers</code> access scope. The app does not ask for it at install because only this feature
                uses it; the CSV export works without it.
              </p>
              <InlineStack>
                <Button loading={scopeFetcher.state !== "idle"} onClick={() => scopeFetcher.submit({ intent: "request-scope" }, { method: "post" })}>
                  Grant customer access
                </Button>
              </InlineStack>
              {scopeFetcher.data?.error ? <p>{scopeFetcher.data.error}</p> : null}
            </BlockStack>
          </Banner>
        ) : (
          <InlineStack gap="200" blockAlign="center">
            <Button variant="primary" onClick={start} loading={working} disabled={props.identifiedCustomers === 0 && !props.lastSync}>
              {sync && sync.status !== "done" ? "Resume sync" : sync ? "Sync again" : "Sync now"}
            </Button>
            {working ? (
              <Button variant="plain" onClick={() => setStopped(true)}>
                Pause
              </Button>
            ) : null}
          </InlineStack>
        )}
        {props.autoSync ? <AutoSyncSection status={props.autoSync} canSync={props.canSync} /> : null}
        {error ? (
          <Banner tone="critical" title="Sync refused">
            <p>{error}</p>
          </Banner>
        ) : null}
        {sync?.blocked === "protected-customer-data" ? (
          <Banner tone="warning" title="Waiting for protected customer data access">
            <BlockStack gap="200">
              <p>
                Shopify only lets apps edit customers once the app has been granted protected customer data access. Micro-Conversions needs Level 1 (customer
                ids only; no names, emails, phones or addresses).
              </p>
              <List type="number">
                <List.Item>
                  App developer: Partner Dashboard → Apps → Micro-Conversions → API access → Protected customer data access → Request access.
                </List.Item>
                <List.Item>
                  Select “Protected customer data” only, give the reasons from the README and save (public apps: wait for Shopify’s review).
                </List.Item>
                <List.Item>Press “Resume sync”: it continues with the customer it stopped at.</List.Item>
              </List>
            </BlockStack>
          </Banner>
        ) : null}
        {sync ? (
          <div data-testid="sync-status">
            <BlockStack gap="150">
              <Text as="p">
                {sync.status === "done" ? "Last sync" : "Current sync"} started {sync.startedAt.replace("T", " ").slice(0, 16)} UTC: {int(sync.tagged)} tagged,{" "}
                {int(sync.untagged)} untagged, {int(sync.refused)} refused by Shopify
                {sync.refusedByKind["not-found"] > 0
                  ? ` (${int(sync.refusedByKind["not-found"])} deleted or unknown, ${int(sync.refusedByKind["user-error"])} other)`
                  : ""}
                {sync.skipped ? `, ${int(sync.skipped)} skipped (refused before)` : ""}
                {sync.status !== "done" ? `, ${int(sync.remaining)} of ${int(sync.total)} still to do` : ` (${int(sync.total)} changes planned)`}.
              </Text>
              {sync.error ? (
                <Text as="p" tone={sync.status === "failed" ? "critical" : "subdued"}>
                  {sync.error}
                </Text>
              ) : null}
              {sync.errors.length > 0 ? (
                <Box>
                  <List>
                    {sync.errors.map((e) => (
                      <List.Item key={`${e.op}:${e.id}`}>
                        {e.op === "add" ? "Tagging" : "Untagging"} customer {e.id}: {e.message}
                      </List.Item>
                    ))}
                  </List>
                  {sync.refused > sync.errors.length ? (
                    <Text as="p" tone="subdued">{`The first ${int(sync.errors.length)} of ${int(sync.refused)} refusals are listed.`}</Text>
                  ) : null}
                </Box>
              ) : null}
            </BlockStack>
          </div>
        ) : null}
        <BlockStack gap="100">
          <Text as="h3" variant="headingSm">
            Segment query
          </Text>
          <Text as="p" tone="subdued">
            Paste into Shopify admin → Customers → Segments to build a segment of the tagged customers (for email or ads):
          </Text>
          <Box background="bg-surface-secondary" padding="200" borderRadius="200">
            <code data-testid="segment-query">{props.segmentQuery}</code>
          </Box>
        </BlockStack>
      </BlockStack>
    </Card>
  );
}

/** How many members the sync can reach, and why the rest cannot be tagged. */
export function TaggableLine({ t }: { t: TaggableView }) {
  const loggedInVisits = t.members - t.anonymous;
  const why: string[] = [];
  if (t.anonymous > 0) {
    why.push(
      `${int(t.anonymous)} member${t.anonymous === 1 ? " is an anonymous visitor" : "s are anonymous visitors"}: never logged in, so their events carry no customer id and Shopify has no customer record to tag.`,
    );
  }
  if (loggedInVisits > t.taggable + t.excluded) {
    why.push(
      `${int(loggedInVisits)} logged-in member visitors belong to ${int(t.taggable + t.excluded)} customers: a customer seen on several devices is tagged once.`,
    );
  }
  if (t.excluded > 0) {
    why.push(`${int(t.excluded)} customer${t.excluded === 1 ? " is" : "s are"} left out: they reached the goal on another visit or device.`);
  }
  return (
    <div data-testid="taggable">
      <BlockStack gap="100">
        <Text as="p" fontWeight="semibold">
          Taggable: {int(t.taggable)} of {int(t.members)} member{t.members === 1 ? "" : "s"} (logged-in customers)
        </Text>
        {why.length > 0 ? (
          <Text as="p" tone="subdued">
            {why.join(" ")}
          </Text>
        ) : null}
      </BlockStack>
    </div>
  );
}

const minute = (iso: string) => `${iso.replace("T", " ").slice(0, 16)} UTC`;

/** The daily automatic sync: the switch, the last scheduled run and its result, the next one. */
function AutoSyncSection({ status: initial, canSync }: { status: AutoSyncStatus; canSync: boolean }) {
  const fetcher = useFetcher<{ autoSync: AutoSyncStatus } | { error: string }>();
  const data = fetcher.data;
  const status = data && "autoSync" in data ? data.autoSync : initial;
  // Shown at once (the click's answer follows); the server's answer wins when it comes.
  const [wanted, setWanted] = useState<boolean | null>(null);
  const checked = fetcher.state === "idle" && data ? status.enabled : (wanted ?? status.enabled);
  const tone = status.lastStatus === "done" ? "success" : status.lastStatus === "failed" ? "critical" : "attention";
  return (
    <div data-testid="auto-sync">
      <BlockStack gap="150">
        <Checkbox
          label="Sync automatically every day"
          helpText="Runs the same sync as the button once a day: new members are tagged, members who left the audience lose the tag, nobody is tagged twice."
          checked={checked}
          disabled={fetcher.state !== "idle"}
          onChange={(on) => {
            setWanted(on);
            fetcher.submit({ intent: "auto-sync", autoSync: on ? "on" : "off" }, { method: "post" });
          }}
        />
        {checked && !canSync ? (
          <Text as="p" tone="caution">
            Automatic runs are skipped until customer access (write_customers) is granted.
          </Text>
        ) : null}
        <div data-testid="auto-sync-last">
          {status.lastRunAt ? (
            <InlineStack gap="200" blockAlign="center">
              <Text as="span">Last automatic run {minute(status.lastRunAt)}:</Text>
              <Badge tone={tone}>{status.lastStatus ?? "unknown"}</Badge>
              <Text as="span">{status.lastResult ?? ""}</Text>
            </InlineStack>
          ) : (
            <Text as="p" tone="subdued">
              No automatic run yet.
            </Text>
          )}
        </div>
        {checked ? (
          <Text as="p" tone="subdued">
            {status.nextDueAt && status.lastRunAt ? `Next automatic run after ${minute(status.nextDueAt)}.` : "The first automatic run starts within minutes."}
          </Text>
        ) : null}
        {data && "error" in data ? (
          <Text as="p" tone="critical">
            {data.error}
          </Text>
        ) : null}
      </BlockStack>
    </div>
  );
}
