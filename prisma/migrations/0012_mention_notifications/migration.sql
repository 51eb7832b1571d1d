-- CreateIndex
CREATE INDEX "content_resolutions_resolved_at_idx" ON "content_resolutions"("resolved_at");

-- CreateIndex
CREATE INDEX "content_resolutions_mentions_idx" ON "content_resolutions" USING GIN ("mentions");
