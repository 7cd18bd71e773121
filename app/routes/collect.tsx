import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { handleCollect } from "../../ingest/ingest.server";

// Public pixel endpoint: no admin session (storefront requests carry none); each batch
// is authenticated by shop domain + per-shop ingest key instead.
export const action = ({ request }: ActionFunctionArgs) => handleCollect(request);
export const loader = ({ request }: LoaderFunctionArgs) => handleCollect(request);
