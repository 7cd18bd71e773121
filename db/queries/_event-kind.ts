/**
 * An event's kind as SQL, for comparing with a :kind parameter: 'custom' for mc:* events,
 * 'standard' otherwise. A prefix test by equality, not a name range: a locale collation on
 * PostgreSQL may order ':' and ';' differently.
 */
export const EVENT_KIND = `CASE WHEN substr("name", 1, 3) = 'mc:' THEN 'custom' ELSE 'standard' END`;
