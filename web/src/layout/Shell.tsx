import { Outlet } from 'react-router';
import { PolicyBanner } from './PolicyBanner';
import { Sidebar } from './Sidebar';
import { Topbar } from './Topbar';

/**
 * The signed-in frame: sidebar, top bar, and the page in a landmark a skip link leads to. The sidebar's column
 * carries its background the full height of the page; the navigation inside stays in view while scrolling.
 */
export function Shell() {
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <div className="sidebar-col">
        <Sidebar />
      </div>
      <div className="shell-main">
        <Topbar />
        <main id="main" tabIndex={-1}>
          <PolicyBanner />
          <Outlet />
        </main>
      </div>
    </div>
  );
}
