/** A visible notice that the page rendered without the backend's data. */
export function BackendNotice({ message }: { message: string }) {
  return (
    <p className="notice" role="status" data-testid="backend-notice">
      {message}
    </p>
  );
}
