/* SPDX-License-Identifier: MIT */
/* Where the engine journals a run while it runs: the run when it begins,
 * each step once it has ended, the run's end. The results store provides
 * one (store_journal(), bert/store/store.h). The engine knows only this
 * interface, so the store may build on the record types of this folder
 * without the two folders including each other. */
#ifndef BERT_QUAL_JOURNAL_H
#define BERT_QUAL_JOURNAL_H

#include "bert/qual/record.h"

struct qual_journal_ops {
	/* May set rec->id. */
	int (*run_begin)(void *user, struct qual_record *rec);
	/* Called once per ended step; again for the same step replaces it. */
	int (*step_commit)(void *user, const struct qual_record *rec,
			   const struct qual_step *step);
	int (*run_finish)(void *user, const struct qual_record *rec);
};

/* ops NULL: the run is not journaled. */
struct qual_journal {
	const struct qual_journal_ops *ops;
	void *user;
};

#endif
