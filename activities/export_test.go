package activities

// SetReconcileChunk lets a test cut a page into several chunks of accounts.
func SetReconcileChunk(n int) func() {
	old := reconcileChunk
	reconcileChunk = n
	return func() { reconcileChunk = old }
}
