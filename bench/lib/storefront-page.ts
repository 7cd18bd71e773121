/**
 * A storefront-like product page for the embed's cost: header and navigation, a product
 * gallery (inline images), price, variant picker, add-to-cart form, a description with
 * a few paragraphs, a product video, reviews, a size-guide PDF link, outbound social
 * links, a newsletter form (Shopify's `form_type=customer`) and a footer. All inline,
 * so the page loads with no network but itself and, in the "with" variant, the embed.
 */

const svg = (w: number, h: number, hue: number, label: string) =>
  "data:image/svg+xml;utf8," +
  encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
      `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},45%,82%)"/><stop offset="1" stop-color="hsl(${hue + 30},40%,62%)"/></linearGradient></defs>` +
      `<rect width="${w}" height="${h}" fill="url(#g)"/>` +
      `<circle cx="${w * 0.5}" cy="${h * 0.45}" r="${Math.min(w, h) * 0.28}" fill="hsl(${hue},30%,95%)" opacity="0.7"/>` +
      `<text x="50%" y="88%" text-anchor="middle" font-family="sans-serif" font-size="${Math.round(h / 18)}" fill="#333">${label}</text></svg>`,
  );

const LOREM = [
  "Cut from a breathable European linen that softens with every wash, this shirt is made for long summer days and cool evenings alike.",
  "A relaxed fit through the body, a classic collar and mother-of-pearl buttons give it an easy look that works tucked or untucked.",
  "Garment-dyed in small batches, so every piece has a slightly different, lived-in tone. Pre-washed to minimise shrinkage.",
  "We work with a family-run mill in Lithuania that has woven flax for four generations, and we visit every season.",
];

export interface PageOptions {
  /** Include the theme app embed (config JSON + deferred script), as the app's block renders it. */
  embed: boolean;
  /** URL of micro-conversions.js. */
  scriptUrl: string;
}

export function productPage(opts: PageOptions): string {
  const gallery = [0, 1, 2, 3].map(
    (i) =>
      `<img src="${svg(800, 800, 20 + i * 40, `Linen shirt — view ${i + 1}`)}" width="800" height="800" alt="Linen shirt, view ${i + 1}" ${i === 0 ? 'fetchpriority="high"' : 'loading="lazy"'}>`,
  );
  const related = Array.from(
    { length: 8 },
    (_, i) =>
      `<li class="card"><a href="/products/related-${i}"><img src="${svg(300, 300, 200 + i * 15, `Item ${i + 1}`)}" width="300" height="300" alt="Related item ${i + 1}" loading="lazy"><span>Related item ${i + 1}</span><span class="price">$${(19 + i * 7).toFixed(2)}</span></a><button class="wishlist-button" data-product-id="${7400 + i}" aria-label="Add to wishlist">♡</button></li>`,
  ).join("");
  const reviews = Array.from(
    { length: 6 },
    (_, i) =>
      `<article class="review"><h4>${["Perfect fit", "Lovely fabric", "Runs a bit large", "My summer staple", "Great colour", "Bought two"][i]}</h4><p>★★★★${i % 3 === 0 ? "☆" : "★"}</p><p>${LOREM[i % LOREM.length]}</p></article>`,
  ).join("");
  const config = JSON.stringify({
    wishlistSelector: ".wishlist-button",
    scroll: true,
    video: true,
    downloads: true,
    outbound: true,
    forms: true,
    wishlist: true,
  });
  return `<!doctype html>
<html lang="en"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Linen Shirt – Demo Shop</title>
<style>
  *{box-sizing:border-box} body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;color:#222}
  header{display:flex;gap:1rem;align-items:center;justify-content:space-between;padding:1rem;border-bottom:1px solid #eee}
  nav a{margin-right:1rem;color:#222;text-decoration:none} .announcement{background:#111;color:#fff;text-align:center;padding:.5rem;font-size:.85rem}
  main{max-width:1100px;margin:0 auto;padding:1rem} .product{display:grid;grid-template-columns:1fr;gap:2rem} @media(min-width:900px){.product{grid-template-columns:3fr 2fr}}
  .gallery img{width:100%;height:auto;display:block;margin-bottom:.5rem;border-radius:6px} .price{font-size:1.4rem;font-weight:600}
  button,.button{background:#111;color:#fff;border:0;padding:.9rem 1.4rem;border-radius:4px;font-size:1rem} .variants label{margin-right:.5rem}
  video{width:100%;aspect-ratio:16/9;background:#ddd;border-radius:6px} .cards{display:grid;grid-template-columns:repeat(2,1fr);gap:1rem;list-style:none;padding:0}
  .card img{width:100%;height:auto} .card{position:relative} .wishlist-button{position:absolute;top:.5rem;right:.5rem;padding:.3rem .6rem;background:#fff;color:#111}
  .review{border-top:1px solid #eee;padding:1rem 0} footer{background:#f6f6f6;padding:2rem 1rem;margin-top:3rem} input[type=email]{padding:.8rem;width:16rem;border:1px solid #999}
</style>
<script>window.Shopify = window.Shopify || {}; window.Shopify.shop = "demo-shop.myshopify.com";
  window.__mcPublished = []; window.Shopify.analytics = { publish: function (name, data) { window.__mcPublished.push([name, data]); } };</script>
</head><body>
<div class="announcement">Free shipping on orders over $75 · <a href="/pages/shipping" style="color:#fff">Details</a></div>
<header><a href="/" style="font-weight:700;font-size:1.3rem;color:#111;text-decoration:none">Demo Shop</a>
<nav><a href="/collections/new-arrivals">New</a><a href="/collections/summer">Summer</a><a href="/collections/sale">Sale</a><a href="/pages/about">About</a><a href="/cart">Cart (0)</a></nav></header>
<main>
<section class="product">
  <div class="gallery">${gallery.join("\n")}</div>
  <div>
    <h1>Linen Shirt</h1><p class="price">$68.00</p>
    <form method="post" action="/cart/add" id="product-form"><input type="hidden" name="form_type" value="product"><input type="hidden" name="id" value="42100000000000">
      <fieldset class="variants"><legend>Size</legend>${["XS", "S", "M", "L", "XL"].map((s, i) => `<label><input type="radio" name="size" value="${s}" ${i === 2 ? "checked" : ""}> ${s}</label>`).join("")}</fieldset>
      <p><label>Quantity <input type="number" name="quantity" value="1" min="1" style="width:4rem"></label></p>
      <button type="submit">Add to cart</button></form>
    <p><a href="/cdn/shop/files/size-guide.pdf">Size guide (PDF)</a> · <a href="/pages/care">Care instructions</a></p>
    ${LOREM.map((p) => `<p>${p}</p>`).join("\n")}
    <ul><li>100 % European flax linen</li><li>Mother-of-pearl buttons</li><li>Made in Lithuania</li></ul>
  </div>
</section>
<section><h2>See it on</h2><video controls muted playsinline preload="none" poster="${svg(1280, 720, 160, "Linen shirt — video")}" width="1280" height="720"><source src="/videos/linen-shirt.mp4" type="video/mp4"></video></section>
<section><h2>Reviews</h2>${reviews}</section>
<section><h2>You may also like</h2><ul class="cards">${related}</ul></section>
</main>
<footer>
  <form method="post" action="/contact#newsletter" id="newsletter"><input type="hidden" name="form_type" value="customer"><input type="hidden" name="contact[tags]" value="newsletter">
    <label for="nl-email">Get 10 % off your first order</label><br><input type="email" id="nl-email" name="contact[email]" placeholder="Email"> <button type="submit">Subscribe</button></form>
  <p><a href="https://www.instagram.com/demo">Instagram</a> · <a href="https://www.pinterest.com/demo">Pinterest</a> · <a href="/policies/privacy-policy">Privacy</a> · <a href="/policies/terms-of-service">Terms</a></p>
  <p>© Demo Shop</p>
</footer>
${opts.embed ? `<script type="application/json" id="mc-config">${config}</script>\n<script src="${opts.scriptUrl}" defer></script>` : ""}
</body></html>`;
}
