/** What the conversation pane shows before a colleague is picked. */
export function EmptyConversation() {
  return (
    <div class="empty">
      <svg class="empty-mark" viewBox="0 0 48 48" aria-hidden="true">
        <path
          class="empty-mark-back"
          d="M18 8h22a4 4 0 0 1 4 4v14a4 4 0 0 1-4 4h-2v6l-7-6H18a4 4 0 0 1-4-4V12a4 4 0 0 1 4-4z"
        />
        <path
          class="empty-mark-front"
          d="M8 16h22a4 4 0 0 1 4 4v14a4 4 0 0 1-4 4H17l-7 6v-6H8a4 4 0 0 1-4-4V20a4 4 0 0 1 4-4z"
        />
      </svg>
      <p class="empty-title">Select a colleague to start chatting</p>
      <p class="empty-hint">Pick a room or someone from the list on the left.</p>
    </div>
  );
}
