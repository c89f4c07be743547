// SPDX-License-Identifier: GPL-2.0-only
/*
 * secbuf_dma_heap: the dma-heaps of secbuf's pools, registered with the
 * dma-heap core (dma_heap_add()), on kernels that have the framework.
 *
 * The core cannot remove a heap: once added, its device node, its name and
 * its &dma_heap_ops stay until reboot (the kernel's own heap modules have
 * no exit). secbuf must stay unloadable, so it does not register heaps
 * itself: this small module does, and has no exit, so it stays loaded
 * once loaded. secbuf binds each pool to the heap of the pool's name when
 * the pool comes up, and unbinds it when the pool goes; an allocation from
 * a heap no pool is bound to fails with -ENODEV, until a pool of that name
 * binds again (secbuf loaded again, say).
 *
 * Names are the core's to keep unique: a name another heap has already
 * (the system heap's "system", a CMA heap's) makes dma_heap_add() fail
 * (its device_create() does, with -EEXIST, and sysfs logs the duplicate
 * name with a stack trace), and this module then refuses the binding;
 * nothing is ever shadowed.
 *
 * Copyright (C) 2026 The secbuf authors
 */

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/err.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/sysfs.h>
#include <linux/string.h>

#include "secbuf-dma-heap.h"

/**
 * struct secbuf_dma_heap_binding - the pool a heap allocates from
 * @alloc: secbuf's allocation function
 * @priv: its first argument (the pool)
 */
struct secbuf_dma_heap_binding {
	secbuf_dma_heap_alloc_fn alloc;
	void *priv;
};

/**
 * struct secbuf_dma_heap - one registered heap, for good
 * @node: entry in secbuf_dma_heaps
 * @heap: the core's heap
 * @binding: the pool bound to it, or NULL; read under secbuf_dma_heap_srcu,
 *	written under secbuf_dma_heap_lock
 * @name: the heap's name, which the core keeps a pointer to
 */
struct secbuf_dma_heap {
	struct list_head node;
	struct dma_heap *heap;
	struct secbuf_dma_heap_binding __rcu *binding;
	char name[];
};

static LIST_HEAD(secbuf_dma_heaps);
static DEFINE_MUTEX(secbuf_dma_heap_lock);	/* the list and the bindings */
DEFINE_STATIC_SRCU(secbuf_dma_heap_srcu);

/* Runs secbuf's code: an unbind waits for it (synchronize_srcu()). */
static struct dma_buf *secbuf_dma_heap_allocate(struct dma_heap *dma_heap,
						unsigned long len,
						u32 fd_flags, u64 heap_flags)
{
	struct secbuf_dma_heap *heap = dma_heap_get_drvdata(dma_heap);
	struct secbuf_dma_heap_binding *binding;
	struct dma_buf *dmabuf = ERR_PTR(-ENODEV);
	int idx;

	idx = srcu_read_lock(&secbuf_dma_heap_srcu);
	binding = srcu_dereference(heap->binding, &secbuf_dma_heap_srcu);
	if (binding)
		dmabuf = binding->alloc(binding->priv, len, fd_flags,
					heap_flags);
	srcu_read_unlock(&secbuf_dma_heap_srcu, idx);
	return dmabuf;
}

static const struct dma_heap_ops secbuf_dma_heap_ops = {
	.allocate = secbuf_dma_heap_allocate,
};

static struct secbuf_dma_heap *secbuf_dma_heap_find(const char *name)
{
	struct secbuf_dma_heap *heap;

	lockdep_assert_held(&secbuf_dma_heap_lock);
	list_for_each_entry(heap, &secbuf_dma_heaps, node)
		if (!strcmp(heap->name, name))
			return heap;
	return NULL;
}

/* A new heap of @name, added to the core and to the list. */
static struct secbuf_dma_heap *secbuf_dma_heap_add(const char *name)
{
	struct dma_heap_export_info exp_info = {
		.ops = &secbuf_dma_heap_ops,
	};
	size_t len = strlen(name) + 1;
	struct secbuf_dma_heap *heap;
	struct dma_heap *dma_heap;

	lockdep_assert_held(&secbuf_dma_heap_lock);
	heap = kzalloc(struct_size(heap, name, len), GFP_KERNEL);
	if (!heap)
		return ERR_PTR(-ENOMEM);
	strscpy(heap->name, name, len);
	exp_info.name = heap->name;
	exp_info.priv = heap;
	dma_heap = dma_heap_add(&exp_info);
	if (IS_ERR(dma_heap)) {
		kfree(heap);
		return ERR_CAST(dma_heap);
	}
	heap->heap = dma_heap;
	list_add_tail(&heap->node, &secbuf_dma_heaps);
	return heap;
}

/*
 * /sys/module/secbuf_dma_heap/parameters/heaps: the names of the heaps this
 * module added, one a line. The core's heaps have no parent device and no
 * attributes, so this is how userspace (secbuf's udev rule) tells secbuf's
 * heaps from the kernel's own. A heap's uevent is sent from inside
 * dma_heap_add(), under secbuf_dma_heap_lock: a read here waits for the lock
 * and so sees the heap listed once it was added.
 */
static int secbuf_dma_heap_names_get(char *buf, const struct kernel_param *kp)
{
	struct secbuf_dma_heap *heap;
	int len = 0;

	mutex_lock(&secbuf_dma_heap_lock);
	list_for_each_entry(heap, &secbuf_dma_heaps, node) {
		/*
		 * Whole lines only: a cut name could match a shorter heap
		 * name of the kernel's. 127 heaps of at most 31 characters
		 * fit a page, but do not rely on it.
		 */
		if (len + strlen(heap->name) + 1 >= PAGE_SIZE)
			break;
		len += sysfs_emit_at(buf, len, "%s\n", heap->name);
	}
	mutex_unlock(&secbuf_dma_heap_lock);
	return len;
}

/*
 * Read-only, but a value given at load time (modprobe, modprobe.d, the
 * kernel command line) reaches .set without the sysfs mode check.
 */
static int secbuf_dma_heap_names_set(const char *val,
				     const struct kernel_param *kp)
{
	pr_warn("secbuf_dma_heap: the heaps parameter is read-only\n");
	return -EPERM;
}

static const struct kernel_param_ops secbuf_dma_heap_names_ops = {
	.set = secbuf_dma_heap_names_set,
	.get = secbuf_dma_heap_names_get,
};
module_param_cb(heaps, &secbuf_dma_heap_names_ops, NULL, 0444);
MODULE_PARM_DESC(heaps, "the dma-heaps of secbuf's pools, one name a line (read-only)");

/**
 * secbuf_dma_heap_bind() - serve the dma-heap @name from a pool
 * @name: the heap's name (the pool's)
 * @alloc: called for each allocation from the heap, with @priv
 * @priv: passed to @alloc
 *
 * The heap is added to the dma-heap core the first time its name is bound,
 * and stays; later bindings of the name reuse it.
 *
 * Context: Process context.
 * Return: the heap, to unbind later, or an ERR_PTR(): -EBUSY if a pool is
 * bound to that name already, -EEXIST if another heap of the kernel has
 * the name (the core refused a second one), -ENOMEM.
 */
struct secbuf_dma_heap *secbuf_dma_heap_bind(const char *name,
					     secbuf_dma_heap_alloc_fn alloc,
					     void *priv)
{
	struct secbuf_dma_heap_binding *binding;
	struct secbuf_dma_heap *heap;

	binding = kzalloc(sizeof(*binding), GFP_KERNEL);
	if (!binding)
		return ERR_PTR(-ENOMEM);
	binding->alloc = alloc;
	binding->priv = priv;

	mutex_lock(&secbuf_dma_heap_lock);
	heap = secbuf_dma_heap_find(name);
	if (!heap) {
		heap = secbuf_dma_heap_add(name);
		/*
		 * The core refuses a name it has (a heap of the kernel's):
		 * its device_create() with -EEXIST, or its own check after
		 * that with -EINVAL.
		 */
		if (heap == ERR_PTR(-EINVAL))
			heap = ERR_PTR(-EEXIST);
	} else if (rcu_access_pointer(heap->binding)) {
		heap = ERR_PTR(-EBUSY);
	}
	if (!IS_ERR(heap))
		rcu_assign_pointer(heap->binding, binding);
	mutex_unlock(&secbuf_dma_heap_lock);

	if (IS_ERR(heap))
		kfree(binding);
	return heap;
}
EXPORT_SYMBOL_GPL(secbuf_dma_heap_bind);

/**
 * secbuf_dma_heap_unbind() - stop serving a heap
 * @heap: what secbuf_dma_heap_bind() returned
 *
 * When this returns, no allocation runs the pool's code any more, and
 * every later one fails with -ENODEV until the name is bound again.
 *
 * Context: Process context; waits for allocations under way.
 */
void secbuf_dma_heap_unbind(struct secbuf_dma_heap *heap)
{
	struct secbuf_dma_heap_binding *binding;

	mutex_lock(&secbuf_dma_heap_lock);
	binding = rcu_replace_pointer(heap->binding, NULL,
				      lockdep_is_held(&secbuf_dma_heap_lock));
	mutex_unlock(&secbuf_dma_heap_lock);
	synchronize_srcu(&secbuf_dma_heap_srcu);
	kfree(binding);
}
EXPORT_SYMBOL_GPL(secbuf_dma_heap_unbind);

/*
 * An init and no exit: the kernel refuses to unload a module with an init
 * function and no exit function (without an init, it would unload one
 * nobody uses, and the heaps would call freed code).
 */
static int __init secbuf_dma_heap_init(void)
{
	return 0;
}
module_init(secbuf_dma_heap_init);

/* No module_exit: the core cannot remove the heaps this module added. */
MODULE_DESCRIPTION("secbuf pools as dma-heaps (stays loaded: heaps cannot be removed)");
MODULE_AUTHOR("The secbuf authors");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF_HEAP");
