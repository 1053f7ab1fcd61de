export function EmptyConversation() {
  return (
    <div class="empty">
      <div class="empty-mark" aria-hidden="true" />
      <p class="empty-title">Select a colleague to start chatting</p>
      <p class="empty-hint">Pick someone from the list on the left.</p>
    </div>
  );
}
