/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * journal: what the model changes under the bed's lock is one transaction, all or nothing
 * with respect to a SIGKILL of the process at any instruction, as a kernel store is.
 *
 * Before a path is first changed in a transaction, its old state is kept in
 * $ROOT/testbed/journal/: entry N is a file "S PATH" (the old file, link or directory was
 * hard-linked or moved to N.s), "A PATH" (the path did not exist) or "Z SIZE PATH" (a file
 * only appended to, such as the event log).  An entry is in place (renamed) before its
 * change is made.  Commit renames the journal to journal.done, then removes that.  A
 * journal found by the next process that takes the lock (or starts under the preload) is a
 * dead process's: its entries are undone newest first, each removed once undone, so a
 * crash during the rollback is finished by the process after it.
 *
 * bedfs's writers call the tb_tx_ hooks; outside a transaction (the builder, mkhost) they
 * do nothing.  Functions return 0 or a negative errno.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The bed's lock (an fd) with any dead process's transaction rolled back; a new one begins. */
int tb_tx_begin(void);
/* Commit the transaction and release the lock. */
void tb_tx_end(int lock);
/* If a dead process left a journal: take the lock, roll it back, release the lock. */
int tb_tx_recover(void);
bool tb_tx_active(void);

/* Keep vpath's state before it is written or created (first change in the transaction). */
int tb_tx_save(const char *vpath);
/* Keep a file's size before it is appended to. */
int tb_tx_save_size(const char *vpath);
/*
 * Remove vpath (file, link or directory): moved into the journal if this is its first
 * change, else removed.  -ENOENT if it does not exist.
 */
int tb_tx_remove(const char *vpath);
/* Real path of the scratch file a new content is written to before it is renamed. */
int tb_tx_scratch(char *buf, size_t size);
