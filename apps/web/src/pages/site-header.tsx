export function SiteHeader() {
  return (
    <header class="site-header">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <a class="brand" href="/">
        Rejoinder
      </a>
      <nav aria-label="Site">
        <a href="/">Opinion</a>
      </nav>
    </header>
  );
}
