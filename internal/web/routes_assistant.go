package web

import (
	"github.com/plume-services/plume/internal/assistant"
	"github.com/plume-services/plume/internal/auth"
)

// assistantRoutes adds the advisers' assistant: the chat page and its streamed answers, and the
// OpenAI-compatible API that any OpenAI client can talk to with a Plume API token.
func (s *Server) assistantRoutes() {
	e := s.echo
	h := &assistantHandlers{s: s}
	h.svc, h.err = assistant.New(assistant.Options{Store: s.store, Filter: s.filter, Searcher: s.search, Model: s.model, Log: s.log})
	if h.err != nil {
		s.log.Warn("assistant indisponible", "err", h.err)
	}
	use := s.require(auth.ActUseAssistant)

	// Chat page.
	e.GET("/assistant", h.showPage, use)
	e.GET("/assistant/conversations/:id", h.showPage, use)
	e.POST("/assistant/questions", h.ask, use, s.draftLimiter())
	e.POST("/assistant/messages/:id/avis", h.feedback, use)
	e.POST("/assistant/conversations/:id/suppression", h.deleteConversation, use)
	e.GET("/assistant/export.jsonl", h.export, use)

	// OpenAI-compatible API: authentication and errors are checked in the handlers, so that every answer,
	// errors included, is shaped as OpenAI clients expect.
	e.GET("/v1/models", h.listModels)
	e.POST("/v1/chat/completions", h.chatCompletions, s.draftLimiter())
}
