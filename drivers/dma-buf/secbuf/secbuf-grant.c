// SPDX-License-Identifier: GPL-2.0-only
/*
 * secbuf grant lineage: which grant was derived from which.
 *
 * Every grant has a node in its buffer's lineage tree. A grant made by the
 * owner is a root; a grant derived with %SECBUF_GRANT_REGRANT is a child of
 * the grant it came from. A node lives while its grant's dma-buf does or
 * while any grant derived from it lives, so closing a grant's fd never
 * cuts its descendants loose: the owner can still revoke it by its id, and
 * that reaches every descendant. Revoking a grant walks only its subtree.
 *
 * Copyright (C) 2026 The secbuf authors
 */

#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "secbuf.h"

/**
 * secbuf_grant_node_add() - give a new grant its place in the lineage tree
 * @buffer: the buffer
 * @handle: the new grant's handle, with its grant id set
 * @parent: the handle it is derived from, or NULL for a grant the owner
 *	made
 *
 * Context: Process context. The caller holds &secbuf_buffer.lock.
 * Return: 0, or -ENOMEM.
 */
int secbuf_grant_node_add(struct secbuf_buffer *buffer,
			  struct secbuf_handle *handle,
			  struct secbuf_handle *parent)
{
	struct secbuf_grant_node *node;
	int ret;

	lockdep_assert_held(&buffer->lock);
	node = kzalloc(sizeof(*node), GFP_KERNEL_ACCOUNT);
	if (!node)
		return -ENOMEM;
	node->id = handle->grant_id;
	node->handle = handle;
	node->refs = 1;
	INIT_LIST_HEAD(&node->children);
	INIT_LIST_HEAD(&node->sibling);
	ret = xa_insert(&buffer->grants, node->id, node, GFP_KERNEL_ACCOUNT);
	if (ret) {
		kfree(node);
		return ret;
	}
	if (parent && parent->node) {
		node->parent = parent->node;
		node->parent->refs++;
		list_add_tail(&node->sibling, &node->parent->children);
	}
	handle->node = node;
	return 0;
}

/**
 * secbuf_grant_node_release() - a grant's dma-buf goes away
 * @buffer: the buffer
 * @handle: the grant's handle; its node, if any, loses the handle
 *
 * The node, and each ancestor left with nothing to keep it, is freed once
 * no grant derived from it lives.
 *
 * Context: Process context. The caller holds &secbuf_buffer.lock.
 */
void secbuf_grant_node_release(struct secbuf_buffer *buffer,
			       struct secbuf_handle *handle)
{
	struct secbuf_grant_node *node = handle->node;

	lockdep_assert_held(&buffer->lock);
	if (!node)
		return;
	handle->node = NULL;
	node->handle = NULL;
	while (node && !--node->refs) {
		struct secbuf_grant_node *parent = node->parent;

		list_del(&node->sibling);
		xa_erase(&buffer->grants, node->id);
		kfree(node);
		node = parent;
	}
}

/* The next node of a pre-order walk of @root's subtree, or NULL. */
static struct secbuf_grant_node *
secbuf_grant_node_next(struct secbuf_grant_node *node,
		       struct secbuf_grant_node *root, bool descend)
{
	if (descend && !list_empty(&node->children))
		return list_first_entry(&node->children,
					struct secbuf_grant_node, sibling);
	while (node != root) {
		if (!list_is_last(&node->sibling, &node->parent->children))
			return list_next_entry(node, sibling);
		node = node->parent;
	}
	return NULL;
}

/**
 * secbuf_grant_revoke_subtree() - mark a grant and its descendants revoked
 * @buffer: the buffer
 * @grant_id: the grant
 * @zap: the live handles newly revoked are added here, through
 *	&secbuf_handle.zap_node, for the caller to zap
 *
 * The walk visits the grant's subtree only, and skips subtrees revoked
 * before: no grant can be derived from a revoked one, so all of theirs are
 * revoked already.
 *
 * Context: Process context. The caller holds the buffer's reservation
 * lock, &secbuf_buffer.map_lock for writing and &secbuf_buffer.lock.
 * Return: 0, or -ENOENT if no grant with that id, nor any grant derived
 * from it, lives.
 */
int secbuf_grant_revoke_subtree(struct secbuf_buffer *buffer, u64 grant_id,
				struct list_head *zap)
{
	struct secbuf_grant_node *root, *node;
	bool descend;

	lockdep_assert_held(&buffer->lock);
	lockdep_assert_held_write(&buffer->map_lock);
	root = xa_load(&buffer->grants, grant_id);
	if (!root)
		return -ENOENT;

	for (node = root; node;
	     node = secbuf_grant_node_next(node, root, descend)) {
		descend = !node->revoked;
		if (!descend)
			continue;
		node->revoked = true;
		if (node->handle) {
			node->handle->revoked = true;
			list_add_tail(&node->handle->zap_node, zap);
		}
	}
	return 0;
}

/**
 * secbuf_grant_parent_id() - the grant a grant was derived from
 * @handle: a handle
 *
 * Context: The caller holds &secbuf_buffer.lock.
 * Return: the parent's grant id, or 0 for the owner's handle and for a
 * grant the owner made.
 */
u64 secbuf_grant_parent_id(struct secbuf_handle *handle)
{
	lockdep_assert_held(&handle->buffer->lock);
	return handle->node && handle->node->parent ?
	       handle->node->parent->id : 0;
}
